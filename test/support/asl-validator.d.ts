/** asl-validator 4.0.0 ships no type declarations: the part the tests use. */
declare module 'asl-validator' {
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly unknown[];
  }
  export default function aslValidator(definition: unknown): AslValidationResult;
}
