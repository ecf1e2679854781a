// The one user-assigned identity the api, the web and the migration job run as. It pulls their
// images from the registry (AcrPull, registry.bicep) and reads their secrets from Key Vault
// (Key Vault Secrets User, keyvault.bicep). Being user-assigned, it exists before the apps do, so its
// role assignments are in place when the first revision starts.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
