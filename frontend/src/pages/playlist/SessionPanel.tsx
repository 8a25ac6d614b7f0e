/** The review session's panel: start / join / leave, who is watching, who has control, hand over. */
import { Chip } from "../../components/chips";
import { initials } from "../../player/ReviewPlayer";
import type { ReviewRoom, RoomSnapshot } from "../../realtime/ReviewRoom";

export function SessionPanel({ room, snapshot }: { room: ReviewRoom; snapshot: RoomSnapshot }) {
  const { status, state, members, you, error } = snapshot;
  const joined = status === "open" && you !== null;
  const presenter = state?.presenter ?? null;
  const presenting = Boolean(you?.presenter);
  return (
    <section className="panel" aria-labelledby="session-title" data-testid="session" data-status={status} data-role={presenting ? "presenter" : joined ? (you?.following ? "follower" : "detached") : "none"}>
      <div className="panel-header">
        <h2 id="session-title">Review session</h2>
        {joined && <span className="muted small">{members.length} watching</span>}
      </div>
      <div className="panel-body stack" style={{ gap: 8 }}>
        {!joined ? (
          <>
            <p className="muted small">
              {status === "connecting" ? "Joining…" : status === "closed" ? "Disconnected; reconnecting…" : "Present this playlist live: everyone who joins follows your playhead, item, version and drawings."}
            </p>
            {status === "idle" && (
              <div className="row tight" style={{ gap: 6 }}>
                <button type="button" className="primary small" onClick={() => room.join({ present: true })}>
                  Start session
                </button>
                <button type="button" className="small" onClick={() => room.join()}>
                  Join session
                </button>
              </div>
            )}
          </>
        ) : (
          <>
            <p className="small" role="status" data-testid="session-status">
              {presenting ? (
                <strong>You are presenting.</strong>
              ) : presenter ? (
                you?.following ? (
                  <>
                    Following <strong>{presenter.name}</strong>.
                  </>
                ) : (
                  <>Detached: you move on your own; {presenter.name} is presenting.</>
                )
              ) : (
                "Nobody is presenting."
              )}
            </p>
            <SessionMembers room={room} snapshot={snapshot} />
            <SessionActions room={room} snapshot={snapshot} />
          </>
        )}
        {error && (
          <p className="field-error small" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}

function SessionMembers({ room, snapshot }: { room: ReviewRoom; snapshot: RoomSnapshot }) {
  const { members, you } = snapshot;
  const presenting = Boolean(you?.presenter);
  return (
    <ul className="stack session-members" style={{ gap: 4, listStyle: "none", padding: 0, margin: 0 }} aria-label="In the session">
      {members.map((m) => (
        <li key={m.tab} className="row tight" style={{ gap: 6 }} data-testid="session-member" data-name={m.name} data-presenter={m.presenter} data-you={m.tab === room.tab}>
          <span className="avatar" aria-hidden="true">
            {initials(m.name)}
          </span>
          <span>
            {m.name}
            {m.tab === room.tab && <span className="muted"> (you)</span>}
          </span>
          {m.presenter ? <Chip label="Has control" tone="ok" /> : !m.following && <Chip label="Detached" tone="muted" />}
          <span className="grow" />
          {presenting && !m.presenter && (
            <button type="button" className="small ghost" onClick={() => room.handover(m.tab)} aria-label={`Hand over control to ${m.name}`}>
              Hand over
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function SessionActions({ room, snapshot }: { room: ReviewRoom; snapshot: RoomSnapshot }) {
  const { state, you } = snapshot;
  const presenter = state?.presenter ?? null;
  const presenting = Boolean(you?.presenter);
  return (
    <div className="row tight" style={{ gap: 6, flexWrap: "wrap" }}>
      {!presenting && (!presenter || you?.may_take_over) && (
        <button type="button" className="small" onClick={room.take} title={presenter ? `Take control from ${presenter.name}` : "Lead the session"}>
          {presenter ? "Take over" : "Take control"}
        </button>
      )}
      {presenting && (
        <button type="button" className="small ghost" onClick={room.release}>
          Release control
        </button>
      )}
      {!presenting && presenter && (you?.following ? (
        <button type="button" className="small ghost" onClick={room.detach} title="Move on your own for a while">
          Detach
        </button>
      ) : (
        <button type="button" className="small" onClick={room.follow}>
          Follow {presenter.name}
        </button>
      ))}
      <button type="button" className="small ghost" onClick={() => room.leave()}>
        Leave session
      </button>
    </div>
  );
}
