"use client";

import { ErrorPanel } from "@/components/layout/error-panel";

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel title="The agents could not be loaded" error={error} retry={retry} />;
}
