import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Nav } from "@/components/nav";
import { Providers } from "@/components/providers";
import { DatabaseProblem } from "@/components/database-problem";
import { databaseStatus } from "@/server/db-status";
import "./globals.css";

export const metadata: Metadata = {
  title: "fleetdeck",
  description:
    "Experiments, revision history, metadata forwarding, spot scheduling and autoscaling for Datadog agents",
};

// Every page reads live state from SQLite; nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const db = await databaseStatus();
  return (
    <html lang="en">
      <body>
        <Providers>
          <div className="flex min-h-screen">
            <aside className="w-56 shrink-0 border-r border-slate-200 bg-white px-3 py-5">
              <div className="mb-6 px-3">
                <span className="text-lg font-bold tracking-tight">fleetdeck</span>
                <p className="text-xs text-slate-500">Datadog agent fleet operations</p>
              </div>
              <Nav />
            </aside>
            <main className="min-w-0 flex-1 px-8 py-6">{db.ok ? children : <DatabaseProblem {...db} />}</main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
