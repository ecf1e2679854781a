// Key Vault (Azure RBAC, no access policies) holding what the apps must not see in plain text:
//   notejam-connection-string  ConnectionStrings__notejam (the notes database, as its administrator) for the api and
//                              the migrations (the api's init container); never the web's
//   web-keyring-connection-string
//                              ConnectionStrings__webkeyring for the web and the migrations: the web's own role and
//                              database notejam_web on the same server, where it alone keeps its data-protection key
//                              ring. Not made here: `migrate` creates the role (or resets its password to this one)
//                              and the database owned by it; one made by ARM would be the administrator's.
//   web-keyring-password       that role's password, generated like the admin password below and read back by azd's
//                              $(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} web-keyring-password), so every later
//                              provision writes the same connection string (a new password would be set by the next
//                              migration while running web replicas still log in with the old one)
//   smtp-password              Smtp__Password for the api (only when one is given)
//   api-key-encryption-key     DataProtection__KeyEncryptionKey of the api: encrypts its key ring at rest
//   web-key-encryption-key     the same for the web (its own: neither service can open the other's ring)
//                              Both read back by azd's secretOrRandomPassword like the admin password
//                              below, so every later provision keeps them (a new one would make the ring
//                              in the database unreadable and the apps refuse to start).
//   postgresAdminPassword      the server's admin password, read back by azd's
//                              $(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} postgresAdminPassword)
//                              in main.parameters.json, so every later `azd provision` keeps it
// Who reads what (Key Vault Secrets User, Azure RBAC):
//   the api's identity         the whole vault: the api, and its migrations, which need both connection strings
//   the web's identity         its own two secrets only, each assigned on the secret, not the vault:
//                              web-keyring-connection-string and web-key-encryption-key
//   the principal running azd  the whole vault (azd reads the generated values back)
// The apps reference the secrets by URL through their identity. The URLs carry no version, so the
// latest one is used: Container Apps fetches a changed value within about 30 minutes, and running
// replicas see it in their environment after a restart or in a new revision.

param name string
param location string
param tags object

@description('Name of the api\'s user-assigned identity (in this resource group): gets Key Vault Secrets User on the vault.')
param readerIdentityName string

@description('Its principal id.')
param readerPrincipalId string

@description('Name of the web\'s user-assigned identity (in this resource group): gets Key Vault Secrets User on its own two secrets only.')
param webReaderIdentityName string

@description('Its principal id.')
param webReaderPrincipalId string

@description('Principal that runs azd (AZURE_PRINCIPAL_ID); empty for none. Gets Key Vault Secrets User: azd reads postgresAdminPassword back on every provision after the first.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param operatorPrincipalType string = 'User'

@description('The PostgreSQL server\'s host name.')
param postgresHost string

param postgresDatabase string
param postgresAdminLogin string

@secure()
param postgresAdminPassword string

@description('Npgsql pool size per process. Keep (all api and web replicas) x this under the server\'s connection limit.')
@minValue(1)
param postgresMaxPoolSize int

@description('The password of the web\'s own role (notejam_web) as azd passes it: 15 generated characters on the first provision, the stored value afterwards.')
@secure()
param webKeyRingPassword string

@description('The api\'s key-encryption key as azd passes it: 15 generated characters on the first provision, the stored value afterwards.')
@secure()
param apiKeyEncryptionKey string

@description('The web\'s, likewise.')
@secure()
param webKeyEncryptionKey string

@description('Fresh randomness of this deployment (newGuid() in main.bicep): lengthens a first, 15-character key or web password to over 32.')
@secure()
param keyEncryptionKeyEntropy string

@description('Empty: no smtp-password secret.')
@secure()
param smtpPassword string = ''

var smtpSecretName = 'smtp-password'
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// From the identity's name, not its principal id, so the assignment's name is known before deployment.
var readerIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', readerIdentityName)
var webReaderIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', webReaderIdentityName)

// Npgsql syntax. The password is single-quoted (a quote inside doubled) so that any character the
// server accepts survives; azd's generated passwords are letters and digits only.
var connectionString = 'Host=${postgresHost};Port=5432;Database=${postgresDatabase};Username=${postgresAdminLogin};Password=\'${replace(postgresAdminPassword, '\'', '\'\'')}\';SSL Mode=Require;Maximum Pool Size=${postgresMaxPoolSize}'

// The web's own: same server, its own role and database (names fixed: the migration makes them from this string). Its
// key ring needs few connections, so a small pool, and never more than the api's: the server's connection budget
// ((api + web replicas + 1) x postgresMaxPoolSize) still holds.
var webKeyRingRole = 'notejam_web'
var webKeyRingDatabase = 'notejam_web'
var webKeyRingMaxPoolSize = min(postgresMaxPoolSize, 10)
var webKeyRingPasswordValue = length(webKeyRingPassword) >= 32
  ? webKeyRingPassword
  : '${webKeyRingPassword}${replace(guid(keyEncryptionKeyEntropy, 'web-keyring-password'), '-', '')}'
var webKeyRingConnectionString = 'Host=${postgresHost};Port=5432;Database=${webKeyRingDatabase};Username=${webKeyRingRole};Password=\'${replace(webKeyRingPasswordValue, '\'', '\'\'')}\';SSL Mode=Require;Maximum Pool Size=${webKeyRingMaxPoolSize}'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // The minimum, so that `azd down --purge` and a new `azd up` under the same name are quick.
    // Purge protection is left off for the same reason; turn it on for production.
    softDeleteRetentionInDays: 7
    // Container Apps fetch the secrets over the vault's public endpoint (the environment has no VNet).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// The apps want at least 32 characters; azd generates 15. A first value gets 32 hex digits of this deployment's
// randomness appended; a stored value (already long enough) is kept as it is, so every provision writes the same.
var apiKeyEncryptionKeyValue = length(apiKeyEncryptionKey) >= 32
  ? apiKeyEncryptionKey
  : '${apiKeyEncryptionKey}${replace(guid(keyEncryptionKeyEntropy, 'api'), '-', '')}'
var webKeyEncryptionKeyValue = length(webKeyEncryptionKey) >= 32
  ? webKeyEncryptionKey
  : '${webKeyEncryptionKey}${replace(guid(keyEncryptionKeyEntropy, 'web'), '-', '')}'

resource apiKeyEncryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'api-key-encryption-key'
  properties: {
    value: apiKeyEncryptionKeyValue
    contentType: 'DataProtection__KeyEncryptionKey of the api'
  }
}

resource webKeyEncryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'web-key-encryption-key'
  properties: {
    value: webKeyEncryptionKeyValue
    contentType: 'DataProtection__KeyEncryptionKey of the web'
  }
}

resource connectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'notejam-connection-string'
  properties: {
    value: connectionString
    contentType: 'Npgsql connection string'
  }
}

resource webKeyRingConnectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'web-keyring-connection-string'
  properties: {
    value: webKeyRingConnectionString
    contentType: 'Npgsql connection string of the web\'s own database'
  }
}

resource webKeyRingPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'web-keyring-password'
  properties: {
    value: webKeyRingPasswordValue
  }
}

resource adminPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'postgresAdminPassword'
  properties: {
    value: postgresAdminPassword
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: smtpSecretName
  properties: {
    value: smtpPassword
  }
}

resource readerSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, readerIdentityId, secretsUserRoleId)
  properties: {
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

// The web's identity: on each of its secrets, never on the vault (an assignment on the vault would let it read every
// secret, the notes database's connection string and the admin password among them).
resource webReaderKeyRingConnectionString 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: webKeyRingConnectionStringSecret
  name: guid(webKeyRingConnectionStringSecret.id, webReaderIdentityId, secretsUserRoleId)
  properties: {
    principalId: webReaderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

resource webReaderKeyEncryptionKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: webKeyEncryptionKeySecret
  name: guid(webKeyEncryptionKeySecret.id, webReaderIdentityId, secretsUserRoleId)
  properties: {
    principalId: webReaderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

resource operatorSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  scope: vault
  name: guid(vault.id, operatorPrincipalId, secretsUserRoleId)
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

output name string = vault.name
output connectionStringSecretUri string = connectionStringSecret.properties.secretUri
output webKeyRingConnectionStringSecretUri string = webKeyRingConnectionStringSecret.properties.secretUri
output apiKeyEncryptionKeySecretUri string = apiKeyEncryptionKeySecret.properties.secretUri
output webKeyEncryptionKeySecretUri string = webKeyEncryptionKeySecret.properties.secretUri
// Where the SMTP password is; empty when none was given (the api template then references none).
output smtpKeyVaultSecretUri string = smtpPasswordSecret.?properties.secretUri ?? ''
