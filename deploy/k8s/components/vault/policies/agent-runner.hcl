# Vault policy for agent-runner (bound to service account agent-runner by the Kubernetes auth role agent-runner).
path "secret/data/devops-console/*" {
  capabilities = ["read"]
}
path "secret/metadata/devops-console/*" {
  capabilities = ["read", "list"]
}
