import type { Metadata } from "next";
import type { ReactNode } from "react";
import { BreakGlassBanner } from "@/components/auth/break-glass-banner";
import { Nav } from "@/components/layout/nav";
import { Providers } from "@/components/live/providers";
import { DatabaseProblem } from "@/components/layout/database-problem";
import { FleetProvider } from "@/components/fleet/fleet-context";
import { LiveUpdates } from "@/components/live/live-updates";
import { logout } from "@/server/actions/login";
import { AccessNote } from "@/components/auth/access-note";
import { currentActor } from "@/server/auth";
import { webConfig } from "@/server/config";
import { databaseStatus } from "@/server/db-status";
import { accessStatus } from "@/server/queries/access";
import { listClusters } from "@/server/queries/clusters";
import { currentScope } from "@/server/scope/request";
import "./globals.css";

export const metadata: Metadata = {
  title: "fleetdeck",
  description:
    "Experiments, revision history, metadata forwarding, spot scheduling and autoscaling for Datadog agents",
};

// Every page reads live state from the store; nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [db, actor] = await Promise.all([databaseStatus(), currentActor()]);
  const scope = db.ok && actor ? await currentScope() : null;
  const [clusters, access] = scope
    ? await Promise.all([listClusters(scope), accessStatus(scope)])
    : [[], { checking: [] }];
  return (
    <html lang="en">
      <body>
        <Providers>
          <div className="flex min-h-screen">
            <aside className="flex w-56 shrink-0 flex-col border-r border-slate-200 bg-white px-3 py-5">
              <div className="mb-6 px-3">
                <span className="text-lg font-bold tracking-tight">fleetdeck</span>
                <p className="text-xs text-slate-500">Datadog agent fleet operations</p>
              </div>
              {actor && <Nav />}
              <div className="mt-auto space-y-2 pt-6">
                {actor && db.ok && <LiveUpdates />}
                {actor && (
                  <div className="px-3 text-xs text-slate-500">
                    Signed in as <span className="font-medium text-slate-700">{actor.name}</span>
                    {actor.via === "admin-token" && (
                      <form action={logout} className="inline">
                        {" · "}
                        <button type="submit" className="underline hover:text-slate-800">
                          Sign out
                        </button>
                      </form>
                    )}
                  </div>
                )}
              </div>
            </aside>
            <main className="min-w-0 flex-1 px-8 py-6">
              {actor?.via === "admin-token" && (
                <BreakGlassBanner peopleSignIn={webConfig().FLEETDECK_AUTH_PROXY_HEADER ? "proxy" : "none"} />
              )}
              {access.checking.length > 0 && <AccessNote initial={access} />}
              {db.ok ? (
                <FleetProvider clusters={clusters}>{children}</FleetProvider>
              ) : (
                <DatabaseProblem {...db} />
              )}
            </main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
