"use client";

import { createContext, useContext, type ReactNode } from "react";

export interface ClusterRef {
  id: string;
  name: string;
}

interface Fleet {
  clusters: ClusterRef[];
  /** More than one cluster: tables show a cluster column. With one, pages look as before the fleet. */
  showClusters: boolean;
}

const FleetContext = createContext<Fleet>({ clusters: [], showClusters: false });

/** The fleet's clusters, read once per page by the layout, for every table below it. */
export function FleetProvider({ clusters, children }: { clusters: ClusterRef[]; children: ReactNode }) {
  return (
    <FleetContext.Provider value={{ clusters, showClusters: clusters.length > 1 }}>
      {children}
    </FleetContext.Provider>
  );
}

export function useFleet(): Fleet {
  return useContext(FleetContext);
}
