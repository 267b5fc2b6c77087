import { PageHeader } from "@/components/ui/page-header";

/** Shown while a page reads the store: its title, and placeholders where its content goes. */
export function PageLoading({ title }: { title?: string }) {
  return (
    <div role="status" aria-busy="true" aria-label={title ? `Loading ${title}` : "Loading"}>
      {title && <PageHeader title={title} />}
      <div className="space-y-3">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-16 animate-pulse rounded-lg border border-slate-200 bg-white" />
        ))}
      </div>
      <span className="sr-only">Loading…</span>
    </div>
  );
}
