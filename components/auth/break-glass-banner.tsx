import { logout } from "@/server/actions/login";

/**
 * On every page of a session signed in with the admin token: it is the break-glass, with the
 * controller's full power and no RBAC review, so whoever uses it (and whoever looks over their
 * shoulder) is told so, and told who should not be using it.
 */
export function BreakGlassBanner({ peopleSignIn }: { peopleSignIn: "proxy" | "none" }) {
  return (
    <section
      aria-label="Break-glass session"
      data-testid="break-glass-banner"
      className="mb-6 rounded-md border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900"
    >
      <p className="font-semibold">Break-glass session: signed in with the admin token</p>
      <p className="mt-1">
        This session has the controller&apos;s full power in every cluster, and Kubernetes RBAC reviews
        nothing it does. It is for emergencies only, when signing in through the identity provider does not
        work.{" "}
        {peopleSignIn === "proxy"
          ? "Nobody should use it for everyday work: people sign in through the identity provider, so that what they do is theirs and within their RBAC."
          : "Nobody should use it for everyday work: put the dashboard behind the OIDC proxy (docs/deploy.md) so that people sign in as themselves, within their RBAC."}{" "}
        Its sign-in is in the audit trail.
      </p>
      <form action={logout} className="mt-2">
        <button type="submit" className="font-medium underline hover:text-rose-700">
          End the break-glass session
        </button>
      </form>
    </section>
  );
}
