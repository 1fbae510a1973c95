/** Types for the part of `vader-sentiment` (dev dependency, the VADER baseline) that the evaluation uses. */
declare module 'vader-sentiment' {
  const vader: {
    readonly SentimentIntensityAnalyzer: {
      polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number };
    };
  };
  export default vader;
}
