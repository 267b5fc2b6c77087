"use client";

import { ErrorPanel } from "@/components/layout/error-panel";
import "./globals.css";

/** The root layout itself failed: this replaces it, so it brings its own document. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>fleetdeck</title>
        <main className="px-8 py-6">
          <ErrorPanel title="The dashboard could not be loaded" error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
