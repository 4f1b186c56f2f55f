package org.tconv.cluster;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.tconv.testing.TestFiles;

/** A real HDFS (one NameNode, one DataNode) on 127.0.0.1, in this JVM, with its storage under target/. */
final class MiniHdfs implements AutoCloseable {
    final MiniDFSCluster cluster;
    final String uri;

    MiniHdfs() throws IOException {
        Path base = TestFiles.home().resolve("target/minidfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", false);
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        cluster.waitActive();
        uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    FileSystem fs() throws IOException {
        return cluster.getFileSystem();
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
