/** Placeholder of a page whose feature has not landed yet: says what will appear there. */
export function Planned({ items }: { items: string[] }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
      <p className="text-sm font-medium text-slate-700">What will appear here</p>
      <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-600">
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
