export default function Home() {
  return <main>Keep Signed In</main>;
}
