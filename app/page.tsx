import { redirect } from "next/navigation";
import { DEFAULT_LANDING_PATH } from "@/lib/http/next-path";

/** The middleware sends people where they belong; this is the fallback without it. */
export default function Home(): never {
  redirect(DEFAULT_LANDING_PATH);
}
