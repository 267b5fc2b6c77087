import { headers } from "next/headers";
import { LoginForm } from "@/components/auth/login-form";
import { safeNextPath } from "@/server/safe-redirect";
import { plainHttpProblem } from "@/server/session-cookie";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const h = await headers();
  const problem = plainHttpProblem(h.get("host"), h.get("x-forwarded-proto"));
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        This dashboard requires the admin token it was started with.
      </p>
      {problem && (
        <p
          role="alert"
          data-testid="plain-http"
          className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900"
        >
          {problem}
        </p>
      )}
      <LoginForm next={safeNextPath(next)} />
    </div>
  );
}
