"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";

/**
 * What an error page shows instead of a stack trace: what could not be loaded, the reference
 * the server logged the error under (production hides the message itself), a retry that
 * fetches the page again, and the way back to the Overview.
 */
export function ErrorPanel({ title, error, retry }: { title: string; error: unknown; retry: () => void }) {
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <section
      role="alert"
      aria-labelledby="error-heading"
      className="max-w-2xl rounded-lg border border-rose-200 bg-white p-6 shadow-sm"
    >
      <h1 id="error-heading" className="text-xl font-semibold tracking-tight text-rose-900">
        {title}
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        The dashboard failed while reading what this page shows. Trying again often helps after a brief
        outage; otherwise the dashboard&apos;s log says what went wrong.
      </p>
      {digest && (
        <p className="mt-2 text-xs text-slate-500">
          Reference in the log: <code className="font-mono">{digest}</code>
        </p>
      )}
      <div className="mt-4 flex items-center gap-4 text-sm">
        <Button variant="primary" onClick={() => retry()}>
          Try again
        </Button>
        <Link href="/" className="text-sky-700 hover:underline">
          Back to the Overview
        </Link>
      </div>
    </section>
  );
}
