import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { AuthForm } from '../components/auth/AuthForm';
import { useAuth, useLogin } from '../hooks/useAuth';
import { safeRedirectPath } from '../lib/safeRedirect';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** Sign-in page; returns the user to the page they came from (?next=). */
export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeRedirectPath(params.get('next'));
  const navigate = useNavigate();
  const { status } = useAuth();
  const login = useLogin();
  useDocumentTitle('Sign in');
  if (status === 'authenticated' && !login.isSuccess) return <Navigate to={next} replace />;
  const query = params.get('next') ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <div className="auth-page">
      <AuthForm
        title="Sign in to Chorus"
        submitLabel="Sign in"
        pending={login.isPending}
        error={login.error}
        passwordAutoComplete="current-password"
        onSubmit={(credentials) =>
          login.mutate(credentials, { onSuccess: () => navigate(next, { replace: true }) })
        }
        footer={
          <>
            New here? <Link to={`/register${query}`}>Create an account</Link>
          </>
        }
      />
    </div>
  );
}
