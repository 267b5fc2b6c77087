"use client";

import { ErrorPanel } from "@/components/layout/error-panel";

/** A page whose rendering failed (its own segment has no error page). */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel title="This page could not be loaded" error={error} retry={retry} />;
}
