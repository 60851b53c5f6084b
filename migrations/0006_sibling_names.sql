-- Siblings by name: the unique-name check of every Create and of every
-- resource a definition file loads looks a name up among its siblings.
-- With only (parent_uri, class) it read every sibling, so loading N
-- partitions under one CPC took O(N^2) (10,000 partitions with a NIC and
-- an HBA each: 326 s). With this index the lookup is one probe.
CREATE INDEX resources_parent_class_name ON resources(parent_uri, class, name);
