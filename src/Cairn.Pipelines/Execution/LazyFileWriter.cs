using System.Text;

namespace Cairn.Pipelines;

/// <summary>A log file created on the first write, so the many steps that print nothing leave no file behind.</summary>
internal sealed class LazyFileWriter(string path) : TextWriter
{
    private StreamWriter? _writer;

    public override Encoding Encoding => Encoding.UTF8;

    public bool Written => _writer is not null;

    public string Path => path;

    private StreamWriter Writer()
    {
        if (_writer is null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            _writer = new StreamWriter(path, append: true, Encoding.UTF8) { AutoFlush = true };
        }
        return _writer;
    }

    public override void Write(char value) => Writer().Write(value);
    public override void Write(string? value) { if (!string.IsNullOrEmpty(value)) Writer().Write(value); }
    public override void WriteLine(string? value) => Writer().WriteLine(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _writer?.Dispose();
        base.Dispose(disposing);
    }
}
