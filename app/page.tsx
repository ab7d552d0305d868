import { redirect } from "next/navigation";

/** The middleware sends people where they belong; this is the fallback without it. */
export default function Home(): never {
  redirect("/dashboard");
}
