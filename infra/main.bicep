// Notejam on Azure: what `azd provision` (and the provision half of `azd up`) deploys.
//
//   rg-<environmentName>
//   ├── Log Analytics workspace ◄── Container Apps environment (Consumption workload profile)
//   │                                ├── web         container app, external HTTPS ingress
//   │                                ├── api         container app, internal ingress only
//   │                                └── migrations  container apps job, manual trigger (api image, `migrate`)
//   ├── user-assigned identity: AcrPull on the registry, Key Vault Secrets User on the vault
//   ├── container registry (admin user disabled): notejam-api, notejam-web
//   ├── Key Vault (RBAC): the connection string, the SMTP password, the PostgreSQL admin password,
//   │                     each app's key-encryption key
//   └── PostgreSQL Flexible Server: database `notejam`, TLS required, Azure-services-only firewall
//
// Configuration the apps receive (the names the code reads; Key Vault ones by reference):
//   api        ConnectionStrings__notejam (KV), DataProtection__KeyEncryptionKey (KV, its own), Notejam__WebUrl,
//              Notejam__TrustedProxyNetworks, Smtp__* (Smtp__Password from KV), ...
//   web        ConnectionStrings__notejam (KV, data-protection key ring only), DataProtection__KeyEncryptionKey
//              (KV, its own), Notejam__ApiUrl, Notejam__TrustedProxyNetworks, ...
//   migrations ConnectionStrings__notejam (KV)
// The AppHost in publish mode declares `notejam` as a connection-string parameter; here it is
// filled, for every app, from the Key Vault secret notejam-connection-string.
//
// azd and this template: azd finds the two apps by their azd-service-name tags (api, web) when
// azure.yaml lists them as services (project ./Notejam.Api and ./Notejam.Web, language dotnet, host
// containerapp); `azd deploy` then only swaps their image. While azure.yaml names the AppHost as its
// one service, azd deploys apps it generates from the AppHost's manifest instead, replacing these
// (no probes, scale rules or Key Vault references, and a `migrations` container app).
//
// First deployment:
//   azd provision   everything; apps and job run the placeholder image
//   azd deploy      builds and pushes notejam-api / notejam-web, rolls api and web, and records
//                   SERVICE_API_IMAGE_NAME / SERVICE_WEB_IMAGE_NAME in the azd environment
//   azd provision   the job (and the apps, with probes now) take those images
//   az containerapp job start --name <NOTEJAM_MIGRATIONS_JOB_NAME> --resource-group <AZURE_RESOURCE_GROUP>
// A release whose migrations must run before the new code serves:
//   azd publish api     pushes the new api image only (SERVICE_API_IMAGE_NAME)
//   az containerapp job update --name <job> --resource-group <rg> --image <SERVICE_API_IMAGE_NAME>
//   az containerapp job start --name <job> --resource-group <rg>    then wait for Succeeded:
//   az containerapp job execution list --name <job> --resource-group <rg> --output table
//   azd deploy          rolls api and web

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name (AZURE_ENV_NAME): names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (AZURE_LOCATION).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the principal running azd (AZURE_PRINCIPAL_ID). When set, it may push images and read the Key Vault secrets.')
param principalId string = ''

@description('Kind of principalId (AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('The api image (SERVICE_API_IMAGE_NAME after the first `azd deploy`). The placeholder lets a first provision succeed before any image exists.')
param apiImageName string = 'mcr.microsoft.com/dotnet/samples:aspnetapp'

@description('The web image (SERVICE_WEB_IMAGE_NAME after the first `azd deploy`).')
param webImageName string = 'mcr.microsoft.com/dotnet/samples:aspnetapp'

@description('PostgreSQL major version.')
@allowed([
  '14'
  '15'
  '16'
  '17'
])
param postgresVersion string = '16'

@description('PostgreSQL compute size, e.g. Standard_B1ms, Standard_B2s (Burstable), Standard_D2ds_v5 (GeneralPurpose).')
param postgresSkuName string = 'Standard_B2s'

@description('The tier postgresSkuName belongs to.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('PostgreSQL storage in GiB; it grows by itself when nearly full, and never shrinks.')
@allowed([
  32
  64
  128
  256
  512
  1024
  2048
  4096
  8192
  16384
  32767
])
param postgresStorageSizeGB int = 32

@description('Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param backupRetentionDays int = 7

@description('Copies backups to the paired region. Only settable when the server is created.')
@allowed([
  'Enabled'
  'Disabled'
])
param geoRedundantBackup string = 'Disabled'

@description('A standby server: ZoneRedundant (another zone) or SameZone. Needs the GeneralPurpose or MemoryOptimized tier.')
@allowed([
  'Disabled'
  'ZoneRedundant'
  'SameZone'
])
param highAvailabilityMode string = 'Disabled'

@description('PostgreSQL administrator login (not azure_superuser, admin, administrator, root, guest, public, nor pg_*).')
@minLength(1)
@maxLength(63)
param postgresAdminLogin string = 'notejam'

// main.parameters.json fills this with $(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} postgresAdminPassword):
// on the first provision AZURE_KEY_VAULT_NAME is not set yet, so azd generates a password (15 letters
// and digits); this template stores it in the vault as `postgresAdminPassword` and outputs
// AZURE_KEY_VAULT_NAME, so every later provision reads the same password back instead of resetting
// it. Nothing to type, nothing in .azure/<env>/.env. (The alternative, "${POSTGRES_ADMIN_PASSWORD}",
// keeps the password in plain text in .env and makes every environment set it by hand.)
// The principal running azd must be able to read that secret: principalId gets Key Vault Secrets User.
@secure()
@description('PostgreSQL administrator password; azd generates it on the first provision and reads it back from Key Vault afterwards.')
param postgresAdminPassword string

// Like postgresAdminPassword: main.parameters.json reads each back with secretOrRandomPassword from the vault,
// where this template keeps them, so the apps' key rings stay readable across provisions.
@secure()
@description('DataProtection__KeyEncryptionKey of the api (Key Vault secret api-key-encryption-key); generated on the first provision, read back afterwards.')
param apiKeyEncryptionKey string

@secure()
@description('DataProtection__KeyEncryptionKey of the web (Key Vault secret web-key-encryption-key), its own.')
param webKeyEncryptionKey string

// Fresh on every deployment, but used only while a key is first made (see modules/keyvault.bicep).
@secure()
@description('Leave unset: randomness that lengthens a newly generated key-encryption key.')
param keyEncryptionKeyEntropy string = newGuid()

// Container Apps' ingress (envoy) sets X-Forwarded-Proto and appends the address it saw to X-Forwarded-For; the
// apps believe only its last hop, and only from these networks. Without a custom VNet the environment's network is
// generated in Microsoft's tenant and its range is not published; only the environment's ingress and its own apps
// reach a container there, so the private ranges name exactly those. With a custom VNet, name its infrastructure subnet.
@description('Notejam__TrustedProxyNetworks of the web and the api: comma-separated CIDRs of Container Apps\' ingress.')
param trustedProxyNetworks string = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10'

@description('Npgsql Maximum Pool Size per process. (apiMaxReplicas + webMaxReplicas + 1) x this must stay under the server\'s connection limit (Standard_B1ms: 35 for users; Standard_B2s: 414).')
@minValue(1)
param postgresMaxPoolSize int = 50

@description('Fewest api replicas (0 lets it scale to zero when idle; the first request then waits for a start).')
@minValue(0)
param apiMinReplicas int = 1

@minValue(1)
param apiMaxReplicas int = 3

@description('Fewest web replicas.')
@minValue(0)
param webMinReplicas int = 1

@minValue(1)
param webMaxReplicas int = 3

@description('Concurrent HTTP requests per replica before the HTTP scale rule adds a replica (api and web).')
@minValue(1)
param httpConcurrentRequests int = 50

@description('SMTP server for password-reset mail. Empty: no mail is sent; the api logs the reset links instead.')
param smtpHost string = ''

param smtpPort int = 587

@description('SMTP user name; empty for none.')
param smtpUsername string = ''

@secure()
@description('SMTP password; empty for none. Kept in Key Vault.')
param smtpPassword string = ''

@description('Upgrade the SMTP connection with STARTTLS.')
param smtpUseTls bool = true

@description('Sender of every mail, e.g. "Notejam <no-reply@example.com>"; empty keeps the app\'s default.')
param smtpFrom string = ''

@description('OTLP endpoint for traces, metrics and logs (OTEL_EXPORTER_OTLP_ENDPOINT); empty exports nothing.')
param otlpEndpoint string = ''

@description('Seconds a migration run may take.')
@minValue(60)
param migrationsReplicaTimeout int = 600

@description('Retries of a failed migration run.')
@minValue(0)
@maxValue(10)
param migrationsReplicaRetryLimit int = 1

// The image defaults above: public, listening on 8080, so that a first provision works before azd
// has pushed anything. It has no /alive or /health, so it runs without those probes.
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'

var tags = {
  'azd-env-name': environmentName
}

// Globally unique names (registry, vault, server host name) are derived from this.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

// The container apps keep the AppHost's resource names: inside the environment the web reaches the
// api at http://api, just as `https+http://api` resolves under the AppHost.
var apiAppName = 'api'
var webAppName = 'web'
var migrationsJobName = 'migrations'

// Known before deployment (not module outputs), so role assignment names and the workspace lookup
// are computed up front and what-if can predict them.
var identityName = 'id-${resourceToken}'
var logAnalyticsWorkspaceName = 'log-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    name: logAnalyticsWorkspaceName
    location: location
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  scope: rg
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
    pullIdentityName: identityName
    pullPrincipalId: identity.outputs.principalId
    pushPrincipalId: principalId
    pushPrincipalType: principalType
  }
}

module postgres 'modules/postgres.bicep' = {
  scope: rg
  params: {
    name: 'psql-${resourceToken}'
    location: location
    tags: tags
    version: postgresVersion
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: backupRetentionDays
    geoRedundantBackup: geoRedundantBackup
    highAvailabilityMode: highAvailabilityMode
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    readerIdentityName: identityName
    readerPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
    postgresHost: postgres.outputs.host
    postgresDatabase: postgres.outputs.databaseName
    postgresAdminLogin: postgresAdminLogin
    postgresAdminPassword: postgresAdminPassword
    postgresMaxPoolSize: postgresMaxPoolSize
    smtpPassword: smtpPassword
    apiKeyEncryptionKey: apiKeyEncryptionKey
    webKeyEncryptionKey: webKeyEncryptionKey
    keyEncryptionKeyEntropy: keyEncryptionKeyEntropy
  }
}

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  scope: rg
  params: {
    name: 'cae-${resourceToken}'
    location: location
    tags: tags
    logAnalyticsWorkspaceName: logAnalyticsWorkspaceName
  }
  dependsOn: [
    monitoring
  ]
}

var connectionStringEnv = [
  {
    name: 'ConnectionStrings__notejam'
    secretName: 'notejam-connection-string'
    keyVaultUrl: keyVault.outputs.connectionStringSecretUri
  }
]

var smtpPasswordEnv = empty(smtpPassword)
  ? []
  : [
      {
        name: 'Smtp__Password'
        secretName: 'smtp-password'
        keyVaultUrl: keyVault.outputs.smtpKeyVaultSecretUri
      }
    ]

// Set on every container: DefaultAzureCredential picks the user-assigned identity from it.
var commonEnv = concat(
  [
    {
      name: 'ASPNETCORE_ENVIRONMENT'
      value: 'Production'
    }
    {
      name: 'AZURE_CLIENT_ID'
      value: identity.outputs.clientId
    }
  ],
  empty(otlpEndpoint)
    ? []
    : [
        {
          name: 'OTEL_EXPORTER_OTLP_ENDPOINT'
          value: otlpEndpoint
        }
      ]
)

var smtpEnv = empty(smtpHost)
  ? []
  : concat(
      [
        {
          name: 'Smtp__Host'
          value: smtpHost
        }
        {
          name: 'Smtp__Port'
          value: string(smtpPort)
        }
        {
          name: 'Smtp__UseTls'
          value: smtpUseTls ? 'true' : 'false'
        }
      ],
      empty(smtpUsername)
        ? []
        : [
            {
              name: 'Smtp__Username'
              value: smtpUsername
            }
          ],
      empty(smtpFrom)
        ? []
        : [
            {
              name: 'Smtp__From'
              value: smtpFrom
            }
          ]
    )

module web 'modules/container-app.bicep' = {
  scope: rg
  params: {
    name: webAppName
    location: location
    tags: tags
    serviceName: 'web'
    environmentId: containerAppsEnvironment.outputs.id
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: webImageName
    probesEnabled: webImageName != placeholderImage
    // Public, HTTPS only: plain HTTP is redirected.
    external: true
    allowInsecure: false
    minReplicas: webMinReplicas
    maxReplicas: webMaxReplicas
    concurrentRequests: httpConcurrentRequests
    env: concat(commonEnv, [
      {
        name: 'OTEL_SERVICE_NAME'
        value: 'web'
      }
      {
        // The ingress terminates TLS; its X-Forwarded-Proto and X-Forwarded-For tell the site the request was
        // HTTPS and whose it was. The app reads them itself, from these networks only.
        name: 'Notejam__TrustedProxyNetworks'
        value: trustedProxyNetworks
      }
      {
        // Plain HTTP to the api's app name: the name resolves only inside this environment, the
        // api has no public ingress, and the hop never leaves the environment's network. The
        // alternative, https://<api ingress fqdn>, would add TLS on the same internal hop but
        // tie the setting to the environment's generated domain.
        name: 'Notejam__ApiUrl'
        value: 'http://${apiAppName}'
      }
    ])
    keyVaultEnv: concat(connectionStringEnv, [
      {
        name: 'DataProtection__KeyEncryptionKey'
        secretName: 'key-encryption-key'
        keyVaultUrl: keyVault.outputs.webKeyEncryptionKeySecretUri
      }
    ])
  }
}

module api 'modules/container-app.bicep' = {
  scope: rg
  params: {
    name: apiAppName
    location: location
    tags: tags
    serviceName: 'api'
    environmentId: containerAppsEnvironment.outputs.id
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: apiImageName
    probesEnabled: apiImageName != placeholderImage
    // Internal only. allowInsecure: the web calls http://api (see Notejam__ApiUrl above); with
    // false, the ingress would redirect that call to HTTPS.
    external: false
    allowInsecure: true
    minReplicas: apiMinReplicas
    maxReplicas: apiMaxReplicas
    concurrentRequests: httpConcurrentRequests
    env: concat(commonEnv, smtpEnv, [
      {
        name: 'OTEL_SERVICE_NAME'
        value: 'api'
      }
      {
        // Password-reset links point at the site.
        name: 'Notejam__WebUrl'
        value: 'https://${web.outputs.fqdn}/'
      }
      {
        // The web reaches the api through the environment's internal ingress too.
        name: 'Notejam__TrustedProxyNetworks'
        value: trustedProxyNetworks
      }
      {
        // Two trusted hops: the ingress appends the web replica's address after the visitor's that the web forwarded.
        name: 'Notejam__TrustedProxyHops'
        value: '2'
      }
    ])
    keyVaultEnv: concat(connectionStringEnv, smtpPasswordEnv, [
      {
        name: 'DataProtection__KeyEncryptionKey'
        secretName: 'key-encryption-key'
        keyVaultUrl: keyVault.outputs.apiKeyEncryptionKeySecretUri
      }
    ])
  }
}

module migrations 'modules/migrations-job.bicep' = {
  scope: rg
  params: {
    name: migrationsJobName
    location: location
    tags: tags
    environmentId: containerAppsEnvironment.outputs.id
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: apiImageName
    replicaTimeout: migrationsReplicaTimeout
    replicaRetryLimit: migrationsReplicaRetryLimit
    env: concat(commonEnv, [
      {
        name: 'OTEL_SERVICE_NAME'
        value: 'migrations'
      }
    ])
    keyVaultEnv: connectionStringEnv
  }
}

// Read by azd (written to .azure/<environment>/.env) and by whoever operates the deployment.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID string = identity.outputs.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = containerAppsEnvironment.outputs.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = containerAppsEnvironment.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN string = containerAppsEnvironment.outputs.defaultDomain
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.id
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_POSTGRES_SERVER_NAME string = postgres.outputs.name
output AZURE_POSTGRES_HOST string = postgres.outputs.host
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_WEB_NAME string = web.outputs.name
output WEB_URL string = 'https://${web.outputs.fqdn}'
output NOTEJAM_MIGRATIONS_JOB_NAME string = migrations.outputs.name
