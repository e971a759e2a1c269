import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { AuthForm } from '../components/auth/AuthForm';
import { useAuth, useRegister } from '../hooks/useAuth';
import { safeRedirectPath } from '../lib/safeRedirect';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** Registration page; a new account is signed in straight away. */
export function RegisterPage() {
  const [params] = useSearchParams();
  const next = safeRedirectPath(params.get('next'));
  const navigate = useNavigate();
  const { status } = useAuth();
  const register = useRegister();
  useDocumentTitle('Create account');
  if (status === 'authenticated' && !register.isSuccess) return <Navigate to={next} replace />;
  const query = params.get('next') ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <div className="auth-page">
      <AuthForm
        title="Create your account"
        submitLabel="Create account"
        pending={register.isPending}
        error={register.error}
        passwordAutoComplete="new-password"
        showRules
        onSubmit={(credentials) =>
          register.mutate(credentials, { onSuccess: () => navigate(next, { replace: true }) })
        }
        footer={
          <>
            Already have an account? <Link to={`/login${query}`}>Sign in</Link>
          </>
        }
      />
    </div>
  );
}
