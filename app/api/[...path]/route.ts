import { AuthError } from "@/lib/auth/errors";
import { apiRoute } from "@/lib/http/route";

/** Unknown API paths answer in the API's error shape rather than with Next.js's HTML 404 page. */
const notFound = apiRoute<{ path: string[] }>(async () => {
  throw new AuthError("not_found", { message: "There is no such API endpoint." });
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
