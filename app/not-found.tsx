import { NotFoundPanel } from "@/components/layout/not-found-panel";

/** Any address the dashboard has no page for. */
export default function NotFound() {
  return (
    <NotFoundPanel title="There is no such page">
      The dashboard has no page at this address. It may have been mistyped, or it links to something that is
      gone.
    </NotFoundPanel>
  );
}
