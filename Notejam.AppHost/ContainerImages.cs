using Microsoft.Extensions.Configuration;

namespace Notejam.AppHost;

/// <summary>
/// Where the development containers' images come from, for a company's registry mirror or an offline stand-in
/// (deploy/containers/stand-in-*.sh): <c>{Section}:ContainerRegistry</c>, <c>{Section}:ContainerImage</c> and
/// <c>{Section}:ContainerTag</c>, each optional; what is not set stays as the integration chose it.
/// </summary>
internal static class ContainerImages
{
    public static IResourceBuilder<T> WithImageFrom<T>(this IResourceBuilder<T> container, IConfiguration configuration, string section)
        where T : ContainerResource
    {
        var settings = configuration.GetSection(section);
        if (settings["ContainerRegistry"] is { Length: > 0 } registry)
        {
            container.WithImageRegistry(registry);
        }

        var tag = settings["ContainerTag"] is { Length: > 0 } configuredTag ? configuredTag : null;
        if (settings["ContainerImage"] is { Length: > 0 } image)
        {
            // WithImage without a tag would mean "latest": keep the integration's version unless a tag is set too.
            container.WithImage(image, tag ?? container.Resource.Annotations.OfType<ContainerImageAnnotation>().LastOrDefault()?.Tag);
        }
        else if (tag is not null)
        {
            container.WithImageTag(tag);
        }

        return container;
    }
}
