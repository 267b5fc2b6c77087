import { PageLoading } from "@/components/layout/page-loading";

/**
 * While the Overview reads the store. In a route group so that it wraps this page only: a loading
 * boundary above an agent's page would start its response before a missing agent's 404.
 */
export default function Loading() {
  return <PageLoading />;
}
