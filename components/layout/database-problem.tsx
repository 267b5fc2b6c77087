/** Shown instead of any page when the SQLite file is missing, unreadable or not migrated. */
export function DatabaseProblem({ title, message, file }: { title: string; message: string; file: string }) {
  return (
    <div role="alert" className="max-w-2xl rounded-lg border border-amber-300 bg-amber-50 p-6">
      <h1 className="text-lg font-semibold text-amber-900">{title}</h1>
      <p className="mt-2 text-sm text-amber-900">{message}</p>
      {file && (
        <p className="mt-2 text-xs text-amber-800">
          Database file: <code className="font-mono">{file}</code>
        </p>
      )}
      <pre className="mt-4 rounded bg-white/70 p-3 font-mono text-xs text-slate-800">npm run db:migrate</pre>
    </div>
  );
}
