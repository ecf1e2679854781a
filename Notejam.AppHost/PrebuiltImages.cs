using Microsoft.Extensions.Configuration;

namespace Notejam.AppHost;

/// <summary>
/// The images a delivery built once and deploys to every environment. azd reads the AppHost's manifest to know what to
/// deploy: a project it builds and pushes itself; a container it deploys as the image it names (azd source:
/// cli/azd/pkg/project/service_target_dotnet_containerapp.go, prepareContainerImage, branches B and C). So when publishing
/// with <c>Notejam:Images:{name}</c> set (the delivery workflow sets <c>Notejam__Images__api</c> and <c>Notejam__Images__web</c>),
/// the service is declared as that image instead of as its project.
/// </summary>
internal static class PrebuiltImages
{
    public const string Section = "Notejam:Images";

    /// <summary>The port the images listen on: the .NET container images' default (ASPNETCORE_HTTP_PORTS=8080).</summary>
    public const int ContainerPort = 8080;

    /// <summary>The prebuilt image for <paramref name="name"/> when publishing, else null (run the project, or let azd build it).</summary>
    public static (string Image, string Tag)? For(IDistributedApplicationBuilder builder, string name)
    {
        if (!builder.ExecutionContext.IsPublishMode || builder.Configuration[$"{Section}:{name}"] is not { Length: > 0 } reference)
        {
            return null;
        }

        // registry[:port]/repository:tag; a colon after the last slash starts the tag.
        var tagAt = reference.LastIndexOf(':');
        if (tagAt <= reference.LastIndexOf('/') || tagAt == reference.Length - 1 || reference.Contains('@', StringComparison.Ordinal))
        {
            throw new DistributedApplicationException(
                $"{Section}:{name} is '{reference}'; give a tagged image, e.g. myregistry.azurecr.io/notejam-{name}:sha-0123456789ab.");
        }

        return (reference[..tagAt], reference[(tagAt + 1)..]);
    }

    public static IResourceBuilder<ContainerResource> AddPrebuiltService(
        this IDistributedApplicationBuilder builder, string name, (string Image, string Tag) image) =>
        builder.AddContainer(name, image.Image, image.Tag)
            .WithHttpEndpoint(targetPort: ContainerPort, name: "http");
}
