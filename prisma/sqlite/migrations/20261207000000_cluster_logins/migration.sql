-- CreateTable
CREATE TABLE "ClusterLogin" (
    "role" TEXT NOT NULL PRIMARY KEY,
    "clusterId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "ClusterLogin_clusterId_key" ON "ClusterLogin"("clusterId");

