using System.Reflection;

namespace Notejam.AppHost;

internal static class ApiMigrations
{
    // Written by the RecordApiAssemblyPath target of Notejam.AppHost.csproj.
    private const string AssemblyKey = "Notejam.Api.Assembly";

    /// <summary>
    /// The api's one-shot <c>migrate</c>, started from the api's built assembly (<c>dotnet Notejam.Api.dll migrate</c>)
    /// in its output folder, as a deployment starts it. Aspire starts a project resource with <c>dotnet run --no-build</c>,
    /// which evaluates the project before it starts the program: 1.5 s and as much CPU on every start, on the path the api
    /// and the web wait behind (README, "Benchmark": bench/apphost-startup.sh). Never deployed: each platform runs
    /// <c>migrate</c> its own way.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddApiMigrations(this IDistributedApplicationBuilder builder, string name)
    {
        var assembly = typeof(ApiMigrations).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == AssemblyKey)?.Value
            ?? throw new DistributedApplicationException($"The AppHost was built without the {AssemblyKey} attribute; rebuild it.");
        return builder.AddExecutable(name, "dotnet", Path.GetDirectoryName(assembly)!, assembly, "migrate")
            .WithOtlpExporter()
            .ExcludeFromManifest();
    }
}
