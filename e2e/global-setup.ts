// Builds the app once unless the run says a fresh build is already there (npm test builds in the API step).
import buildOnce from "../tests/support/build";

export default function globalSetup(): void {
  buildOnce();
}
