namespace Cairn.Testing;

/// <summary>A stream that can only be read forward, like a request body or a pipe.</summary>
public sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public ForwardOnlyStream(byte[] bytes) : this(new MemoryStream(bytes)) { }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
