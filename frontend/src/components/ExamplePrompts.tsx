import type { ModelProfile } from "../api/types";

/**
 * The model card's example prompts as buttons that fill the prompt, and its vocabulary (what the
 * model was trained on). Nothing is shown for models whose card lists neither.
 */
export function ExamplePrompts({ model, onPick }: { model: ModelProfile | undefined; onPick: (prompt: string) => void }) {
  const card = model?.card;
  const examples = card?.example_prompts ?? [];
  const vocabulary = Object.entries(card?.vocabulary ?? {}).filter(([, words]) => Array.isArray(words) && words.length > 0);
  if (examples.length === 0 && vocabulary.length === 0) return null;
  return (
    <div className="example-prompts stack tight" data-testid="example-prompts">
      {examples.length > 0 && (
        <div className="row wrap tight" role="group" aria-label={`Example prompts for ${model?.display_name || model?.name}`}>
          <span className="muted small">Try:</span>
          {examples.map((text) => (
            <button key={text} type="button" className="ghost small" onClick={() => onPick(text)} data-testid="example-prompt">
              {text}
            </button>
          ))}
        </div>
      )}
      {vocabulary.length > 0 && (
        <details className="small">
          <summary>What this model knows</summary>
          <dl className="vocabulary">
            {vocabulary.map(([kind, words]) => (
              <div key={kind}>
                <dt>{kind}</dt>
                <dd>{(words as unknown[]).map(String).join(", ")}</dd>
              </div>
            ))}
          </dl>
          {card?.notes && <p className="muted">{card.notes}</p>}
        </details>
      )}
    </div>
  );
}
