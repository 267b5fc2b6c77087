import Link from "next/link";
import type { ReactNode } from "react";

/** What a not-found page shows: what is missing, and the way back (a list, then the Overview). */
export function NotFoundPanel({
  title,
  children,
  back,
}: {
  title: string;
  children: ReactNode;
  back?: { href: string; label: string };
}) {
  return (
    <section
      aria-labelledby="not-found-heading"
      className="max-w-2xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Not found</p>
      <h1 id="not-found-heading" className="mt-1 text-xl font-semibold tracking-tight">
        {title}
      </h1>
      <div className="mt-2 text-sm text-slate-600">{children}</div>
      <nav aria-label="Way back" className="mt-4 flex gap-4 text-sm">
        {back && (
          <Link href={back.href} className="text-sky-700 hover:underline">
            {back.label}
          </Link>
        )}
        <Link href="/" className="text-sky-700 hover:underline">
          Back to the Overview
        </Link>
      </nav>
    </section>
  );
}
