/** Shown instead of any page when the database is unreachable, missing, unreadable or not migrated. */
export function DatabaseProblem({
  title,
  message,
  store,
  fix,
}: {
  title: string;
  message: string;
  store: string;
  fix: string;
}) {
  return (
    <div role="alert" className="max-w-2xl rounded-lg border border-amber-300 bg-amber-50 p-6">
      <h1 className="text-lg font-semibold text-amber-900">{title}</h1>
      <p className="mt-2 text-sm text-amber-900">{message}</p>
      {store && (
        <p className="mt-2 text-xs text-amber-800">
          Database: <code className="font-mono">{store}</code>
        </p>
      )}
      <pre className="mt-4 whitespace-pre-wrap rounded bg-white/70 p-3 font-mono text-xs text-slate-800">
        {fix}
      </pre>
    </div>
  );
}
