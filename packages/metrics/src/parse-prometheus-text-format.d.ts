// The package ships no types; its output is checked with zod where it is used (testing.ts).
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown;
}
