/** Types for the `sentiment` package's English language module (the package ships none for it). */
declare module 'sentiment/languages/en/index.js' {
  const english: {
    /** AFINN-165 word → score (−5 … 5), plus the library's emoji scores. Shared: read, never write. */
    readonly labels: Readonly<Record<string, number>>;
    /** The English negation rule: a negator ("not", "don't", …) right before a word flips its score. */
    readonly scoringStrategy: { apply(tokens: string[], cursor: number, tokenScore: number): number };
  };
  export default english;
}
