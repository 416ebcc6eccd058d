import { type FormEvent, useState } from 'react';

/** Asks for a bearer token: the gateway verifies it; `pnpm dev-token <name>` makes one for development. */
export function SignIn(props: { user: string; onSubmit(token: string): void; onCancel(): void }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) props.onSubmit(token.trim());
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="sign-in-title">
      <form className="dialog" onSubmit={submit}>
        <h2 id="sign-in-title">Sign in</h2>
        <p>
          The gateway asks for a token. Paste one from your identity provider, or for development
          run <code>pnpm dev-token alice</code> next to the gateway.
        </p>
        <textarea
          aria-label="Token"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          rows={4}
          placeholder="eyJhbGciOi…"
        />
        <p className="hint">
          Changes you made as {props.user} stay on this device until you sign in as them again.
        </p>
        <div className="actions">
          <button type="button" className="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary">
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}
