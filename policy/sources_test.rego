# METADATA
# title: Sources catalog tests
# description: The catalog lists exactly the five source documents with their titles.
package advise.sources_test

import data.advise.sources

test_catalog_lists_the_five_files if {
	object.keys(sources.catalog) == {
		"000_52410bb239ef2d82.txt",
		"001_12de2612dfdf4b91.txt",
		"002_687a735013d0ae0c.txt",
		"003_681de61063999d7b.txt",
		"004_c47ec412e6d24774.txt",
	}
}

test_catalog_titles if {
	{file: entry.title | some file, entry in sources.catalog} == {
		"000_52410bb239ef2d82.txt": "容器与虚拟机的区别与关系",
		"001_12de2612dfdf4b91.txt": "docker容器与虚拟机有什么区别?",
		"002_687a735013d0ae0c.txt": "虚拟机&容器技术",
		"003_681de61063999d7b.txt": "Docker containers and virtual machines difference",
		"004_c47ec412e6d24774.txt": "容器技术实战学习报告",
	}
}

test_catalog_languages if {
	{file: entry.language | some file, entry in sources.catalog} == {
		"000_52410bb239ef2d82.txt": "zh",
		"001_12de2612dfdf4b91.txt": "zh",
		"002_687a735013d0ae0c.txt": "zh",
		"003_681de61063999d7b.txt": "en",
		"004_c47ec412e6d24774.txt": "zh",
	}
}

test_catalog_entries_have_a_site if {
	every entry in sources.catalog {
		entry.site != ""
		object.keys(entry) == {"title", "site", "language"}
	}
}
