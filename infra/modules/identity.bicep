// A user-assigned identity an app runs as. main.bicep makes two, one per app, so that the web reads
// only its own secrets:
//   id-<token>      the api and its migrations (the init container): AcrPull on the registry (registry.bicep), Key Vault
//                   Secrets User on the whole vault (keyvault.bicep)
//   id-web-<token>  the web: AcrPull on the registry, Key Vault Secrets User on its own two secrets only
//                   (web-keyring-connection-string, web-key-encryption-key), never on the vault: code running in the web
//                   that asks the identity endpoint for a Key Vault token can read nothing else, not the notes
//                   database's connection string
// Being user-assigned, each exists, with its role assignments, when `azd provision` ends, before `azd deploy` creates
// the apps: their first revision pulls its image and resolves its Key Vault references with assignments already made
// (no dependsOn across the two halves is possible, or needed: azd runs them one after the other).

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
