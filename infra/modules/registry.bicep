// The container registry azd pushes notejam-api and notejam-web to. The admin user stays disabled:
// each app pulls with its own managed identity (AcrPull), azd pushes with the signed-in principal's token.

param name string
param location string
param tags object

@description('Name of the api\'s user-assigned identity (in this resource group): gets AcrPull.')
param pullIdentityName string

@description('Its principal id.')
param pullPrincipalId string

@description('Name of the web\'s user-assigned identity (in this resource group): gets AcrPull.')
param webPullIdentityName string

@description('Its principal id.')
param webPullPrincipalId string

@description('Principal that runs azd (AZURE_PRINCIPAL_ID); empty for none. Gets AcrPush so `azd deploy` can push even without Owner/Contributor on the subscription.')
param pushPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param pushPrincipalType string = 'User'

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Basic'

// Built-in role definitions (the same ids in every Azure cloud).
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var acrPushRoleId = '8311e382-0749-4cb8-b61a-304f252e45ec'

// From the identity's name, not its principal id, so the assignment's name is known before deployment.
var pullIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', pullIdentityName)
var webPullIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', webPullIdentityName)

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    // azd pushes from the developer's machine or CI, so the registry is reachable over the internet;
    // every pull and push still needs an Entra ID token with an Acr* role.
    publicNetworkAccess: 'Enabled'
  }
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, pullIdentityId, acrPullRoleId)
  properties: {
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}

resource webPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, webPullIdentityId, acrPullRoleId)
  properties: {
    principalId: webPullPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}

resource push 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(pushPrincipalId)) {
  scope: registry
  name: guid(registry.id, pushPrincipalId, acrPushRoleId)
  properties: {
    principalId: pushPrincipalId
    principalType: pushPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPushRoleId)
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
