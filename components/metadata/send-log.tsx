"use client";

import { useState } from "react";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import type { SendsPage } from "@/server/queries/metadata";
import { PayloadViewer } from "./payload-viewer";
import { SendTable } from "./send-table";

/** The send log table and the payload viewer of the selected send (kept in the URL as ?send=). */
export function SendLog({
  filters,
  cursor,
  initial,
  initialSelected,
}: {
  filters: MetadataFilters;
  cursor: number | null;
  initial: SendsPage;
  initialSelected: number | null;
}) {
  const [selected, setSelected] = useState<number | null>(initialSelected);
  const select = (id: number | null) => {
    setSelected(id);
    const url = new URL(window.location.href);
    if (id === null) url.searchParams.delete("send");
    else url.searchParams.set("send", String(id));
    window.history.replaceState(null, "", url);
  };
  return (
    <>
      {selected !== null && <PayloadViewer key={selected} id={selected} onClose={() => select(null)} />}
      <div className="mt-4">
        <SendTable
          filters={filters}
          cursor={cursor}
          initial={initial}
          selectedId={selected}
          onSelect={select}
        />
      </div>
    </>
  );
}
