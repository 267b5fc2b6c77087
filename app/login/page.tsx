import { LoginForm } from "@/components/auth/login-form";
import { safeNextPath } from "@/server/safe-redirect";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        This dashboard requires the admin token it was started with.
      </p>
      <LoginForm next={safeNextPath(next)} />
    </div>
  );
}
