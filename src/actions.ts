// Third-party actions every generated workflow uses (the platform preset's and the deploy layer's),
// pinned to full commit SHAs (a tag can be moved; a commit cannot). The comment in each workflow
// names the release the SHA is. One table: bump a version here and every workflow follows.
export const ACTIONS = {
  checkout: { uses: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  setupPython: { uses: 'actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b', version: 'v5.3.0' },
  setupNode: { uses: 'actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af', version: 'v4.1.0' },
  uploadArtifact: { uses: 'actions/upload-artifact@ea165f8e7e828daa271a7c16ac8dcf89eea97d41', version: 'v4.6.1' },
  uploadPagesArtifact: { uses: 'actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa', version: 'v3.0.1' },
  deployPages: { uses: 'actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e', version: 'v4.0.5' },
  setupBuildx: { uses: 'docker/setup-buildx-action@c47758b77c9736f4b2ef4073d4d51994fabfe349', version: 'v3.7.1' },
  login: { uses: 'docker/login-action@9780b0c442fbb1117ed29e0efdff1e18412f7567', version: 'v3.3.0' },
  metadata: { uses: 'docker/metadata-action@369eb591f429131d6889c46b94e711f089e6ca96', version: 'v5.6.1' },
  buildPush: { uses: 'docker/build-push-action@48aba3b46d1b1fec4febb7c5d0c644b249a11355', version: 'v6.10.0' },
  trivy: { uses: 'aquasecurity/trivy-action@18f2510ee396bbf400402947b394f2dd8c87dbb0', version: 'v0.29.0' },
  uploadSarif: { uses: 'github/codeql-action/upload-sarif@f09c1c0a94de965c15400f5634aa42fac8fb8f88', version: 'v3.27.5' },
  setupKubectl: { uses: 'azure/setup-kubectl@776406bce94f63e41d621b960d78ee25c8b76ede', version: 'v4.0.1' },
  setupHelm: { uses: 'azure/setup-helm@1a275c3b69536ee54be43f2070a358922e12c8d4', version: 'v4.3.1' },
  awsCredentials: { uses: 'aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502', version: 'v4.0.2' },
} as const;
