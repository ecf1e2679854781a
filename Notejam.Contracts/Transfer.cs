namespace Notejam.Contracts;

/// <summary>What an import added: notes, the pads it created, and the imported pads that joined a pad of the same name.</summary>
public sealed record ImportResult(int NotesImported, int PadsCreated, int PadsMerged);
