import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Credentials } from '../../lib/api/types';
import { ErrorMessage } from '../ui/ErrorMessage';

/** The server's username rule (3–32 of [A-Za-z0-9_.-]); the length is checked separately. */
const kUsernamePattern = '[A-Za-z0-9_.\\-]+';

interface AuthFormProps {
  title: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (credentials: Credentials) => void;
  /** "new-password" on registration so password managers offer to generate one. */
  passwordAutoComplete: 'current-password' | 'new-password';
  /** Registration shows the server's rules as hints. */
  showRules?: boolean;
  footer: ReactNode;
}

/** The username + password form shared by the sign-in and registration pages. */
export function AuthForm(props: AuthFormProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit({ username: username.trim(), password });
  };
  return (
    <form className="card auth-form" onSubmit={submit} aria-labelledby="auth-form-title">
      <h1 id="auth-form-title">{props.title}</h1>
      <div className="field">
        <label htmlFor={`${id}-username`}>Username</label>
        <input
          id={`${id}-username`}
          name="username"
          autoComplete="username"
          required
          minLength={props.showRules ? 3 : undefined}
          maxLength={32}
          pattern={props.showRules ? kUsernamePattern : undefined}
          aria-describedby={props.showRules ? `${id}-username-hint` : undefined}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        {props.showRules && (
          <small id={`${id}-username-hint`} className="field__hint">
            3–32 characters: letters, digits, _ . -
          </small>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={props.passwordAutoComplete}
          required
          minLength={props.showRules ? 8 : undefined}
          maxLength={128}
          aria-describedby={props.showRules ? `${id}-password-hint` : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {props.showRules && (
          <small id={`${id}-password-hint`} className="field__hint">
            At least 8 characters.
          </small>
        )}
      </div>
      {props.error != null && <ErrorMessage error={props.error} />}
      <button type="submit" className="button button--primary" disabled={props.pending}>
        {props.pending ? 'Please wait…' : props.submitLabel}
      </button>
      <p className="auth-form__footer">{props.footer}</p>
    </form>
  );
}
