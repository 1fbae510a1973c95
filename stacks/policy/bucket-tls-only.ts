import { asList, type PolicyRule, parsePolicy, referencedName, resourcesOf, type Statement } from './types';

/** A Deny of every S3 action on the bucket and its objects when the request is not over TLS. */
function deniesInsecureTransport(st: Statement, bucket: string): boolean {
  const arn = `\${aws_s3_bucket.${bucket}.arn}`;
  const resources = asList(st.Resource);
  const secure = st.Condition?.Bool?.['aws:SecureTransport'];
  return (
    st.Effect === 'Deny' &&
    (st.Principal === '*' || asList((st.Principal as { AWS?: string })?.AWS).includes('*')) &&
    asList(st.Action).some((a) => a === 's3:*' || a === '*') &&
    resources.includes(arn) &&
    resources.includes(`${arn}/*`) &&
    asList(secure).includes('false')
  );
}

/** Every bucket has a bucket policy denying requests that do not use TLS. */
export const bucketTlsOnly: PolicyRule = {
  id: 'bucket-tls-only',
  description:
    'Every S3 bucket policy denies s3:* on the bucket and its objects when aws:SecureTransport is false.',
  check(tf) {
    const policies = resourcesOf(tf, 'aws_s3_bucket_policy');
    return resourcesOf(tf, 'aws_s3_bucket')
      .filter(
        (b) =>
          !policies.some((p) => {
            if (referencedName(p.body.bucket, 'aws_s3_bucket') !== b.name) return false;
            const parsed = parsePolicy(p.body.policy);
            return (
              'statements' in parsed && parsed.statements.some((st) => deniesInsecureTransport(st, b.name))
            );
          }),
      )
      .map((b) => ({
        rule: this.id,
        address: b.address,
        message:
          'has no bucket policy denying non-TLS requests (aws:SecureTransport = false) on bucket and objects',
      }));
  },
};
