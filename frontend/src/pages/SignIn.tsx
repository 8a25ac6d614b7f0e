import { useState, type FormEvent } from "react";

import { asApiError } from "../api/errors";
import { ErrorMessage, Field } from "../components/feedback";
import { Logo } from "../components/Logo";
import { useSignIn } from "../session";

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useSignIn();
  const error = login.error ? asApiError(login.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ email, password });
  }

  return (
    <main className="signin">
      <form className="panel" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="row">
          <Logo />
          <h1 id="signin-title">Sign in to Greenlight</h1>
        </div>
        <Field id="email" label="Email" error={error?.field("email")}>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            autoFocus
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error?.field("email") ? true : undefined}
          />
        </Field>
        <Field id="password" label="Password" error={error?.field("password")}>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error?.field("password") ? true : undefined}
          />
        </Field>
        {error && Object.keys(error.fields).length === 0 && <ErrorMessage error={error} title="Could not sign in" />}
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
