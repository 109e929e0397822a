# Vault policy for onboarding-service (bound to service account onboarding-service by the Kubernetes auth role onboarding-service).
path "secret/data/devops-console/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "secret/metadata/devops-console/*" {
  capabilities = ["read", "list", "delete"]
}
