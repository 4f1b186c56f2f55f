import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The input-layouts bench's Parquet table: the JPEGs of a folder as Hugging Face datasets store images,
 * {@code image struct<bytes: binary, path: string>} beside a {@code label}, in FILES files, written by Spark.
 *
 *   java -cp "target/classes:$(cat target/tconv.classpath)" bench/MakeImageTable.java LOOSE_DIR OUT_DIR [FILES=8]
 */
public class MakeImageTable {
    public static void main(String[] args) throws Exception {
        Path loose = Paths.get(args[0]);
        int files = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        List<Path> jpgs;
        try (Stream<Path> s = Files.list(loose)) {
            jpgs = s.filter(p -> p.toString().endsWith(".jpg")).sorted().collect(Collectors.toList());
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < jpgs.size(); i++) {
            Path p = jpgs.get(i);
            rows.add(RowFactory.create(RowFactory.create(Files.readAllBytes(p), p.getFileName().toString()), i % 3));
        }
        StructType image = new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType);
        StructType schema = new StructType().add("image", image).add("label", DataTypes.IntegerType);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("make-image-table")
                .config("spark.ui.enabled", "false").config("spark.driver.maxResultSize", "0").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        // rows in their order, FILES files of consecutive rows
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.createDataFrame(sc.parallelize(rows, files), schema).write().parquet(args[1]);
        spark.stop();
        System.out.println(rows.size() + " rows in " + files + " Parquet files under " + args[1]);
    }
}
