// The migration step: the api image run as `Notejam.Api migrate`, which applies the EF Core
// migrations and exits 0. A manually triggered Container Apps job, started before a new api/web
// revision takes traffic:
//
//   az containerapp job start --name <NOTEJAM_MIGRATIONS_JOB_NAME> --resource-group <AZURE_RESOURCE_GROUP>
//   az containerapp job execution list --name <NOTEJAM_MIGRATIONS_JOB_NAME> --resource-group <AZURE_RESOURCE_GROUP> --output table
//
// The job runs the image in apiImageName as of the last `azd provision` (see main.bicep for the order
// of commands). A failed run is retried replicaRetryLimit times; one that runs longer than
// replicaTimeout seconds is stopped. Migrations are idempotent, so a retry is safe.

param name string
param location string
param tags object
param environmentId string
param identityId string
param registryServer string
param image string

@description('Plain environment variables.')
param env envVar[] = []

@description('Environment variables filled from Key Vault secrets.')
param keyVaultEnv keyVaultEnvVar[] = []

@description('Seconds a run may take before it is stopped.')
@minValue(60)
param replicaTimeout int = 600

@description('Retries of a failed run.')
@minValue(0)
@maxValue(10)
param replicaRetryLimit int = 1

type envVar = {
  name: string
  value: string
}

type keyVaultEnvVar = {
  name: string
  secretName: string
  keyVaultUrl: string
}

resource job 'Microsoft.App/jobs@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: replicaTimeout
      replicaRetryLimit: replicaRetryLimit
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        for secret in keyVaultEnv: {
          name: secret.secretName
          keyVaultUrl: secret.keyVaultUrl
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'migrations'
          image: image
          args: [
            'migrate'
          ]
          env: concat(
            env,
            map(keyVaultEnv, secret => {
              name: secret.name
              secretRef: secret.secretName
            })
          )
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
        }
      ]
    }
  }
}

output name string = job.name
