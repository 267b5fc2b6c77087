// npm run build:controller — bundles the controller into dist/controller.mjs
// (testing/controller-bundle.ts says why a bundle).
import { buildController } from "../testing/controller-bundle";

buildController();
